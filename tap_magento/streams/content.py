"""Content and marketing: CMS pages and blocks, sales rules and coupons."""

from __future__ import annotations

from tap_magento.streams.lists import ListStream

CMS_PAGE_NAMES = {"id": "page_id"}
CMS_BLOCK_NAMES = {"id": "block_id"}


class CmsPagesStream(ListStream):
    name = "cms_pages"
    path = "/V1/cmsPage/search"
    primary_keys = ("id",)
    replication_key = "update_time"
    search_names = CMS_PAGE_NAMES


class CmsBlocksStream(ListStream):
    name = "cms_blocks"
    path = "/V1/cmsBlock/search"
    primary_keys = ("id",)
    replication_key = "update_time"
    search_names = CMS_BLOCK_NAMES


class SalesRulesStream(ListStream):
    """Sales rules carry no timestamp at all."""

    name = "sales_rules"
    path = "/V1/salesRules/search"
    primary_keys = ("rule_id",)


class CouponsStream(ListStream):
    """Full table: usage counters change without touching any timestamp."""

    name = "coupons"
    path = "/V1/coupons/search"
    primary_keys = ("coupon_id",)
