{#
  Pseudonymous key of a personal identifier: sha256 of a secret key and the value. The key is
  read from ATTRIB_PSEUDONYM_KEY (set by `attrib run` from the environment or from a key file
  beside the warehouse) and never stored in the warehouse, so the demand number cannot be
  recovered from the key by hashing candidate numbers.
#}
{% macro pseudonym(expression) -%}
    sha256('{{ env_var("ATTRIB_PSEUDONYM_KEY") }}' || '|' || ({{ expression }}))
{%- endmacro %}
