-- street lines compared lower-case, unaccented, without punctuation, street words abbreviated
{%- set street_words = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "terrace": "ter",
    "parkway": "pkwy",
    "highway": "hwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
} %}
{%- set expression = namespace(sql="regexp_replace(lower(strip_accents(value)), '[^a-z0-9 ]', ' ', 'g')") %}
{%- for word, short in street_words.items() %}
    {%- set expression.sql = "regexp_replace(" ~ expression.sql ~ ", '\\b" ~ word ~ "\\b', '" ~ short ~ "', 'g')" %}
{%- endfor %}
create or replace temp macro _norm_street(value) as
nullif(trim(regexp_replace({{ expression.sql }}, '\s+', ' ', 'g')), '')
