{# A key of several columns holds: no combination of their values twice (dbt_utils has such a
   test; this package depends on no hub package). #}
{% test magento_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
