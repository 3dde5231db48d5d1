-- The rows of one swept table (`relation`) that name an erased person; rows deleted. A row
-- goes when it was built from one of the person's landing lines (`lineage`: the table has
-- source_file and line_number), or holds one of their values in a text column
-- (`text_columns`) or a list of text (`list_columns`). `values` is the sweep's table of the
-- person's values, or (a table without lineage, rebuilt by every run) of those and their
-- records' bare ids. The names are quoted ones from the catalog; values are joined from the
-- sweep's temp tables, never formatted in. `returning`: the deleted rows' customer ids instead
-- of their count (the golden tables: their customers' kept state is marked spent after).
delete from {{ relation }} as t
where false
{%- if lineage %}
    or exists (
        select 1 from _sweep_lines as l
        where l.source_file = t.source_file and l.line_number = t.line_number
    )
{%- endif %}
{%- for column in text_columns %}
    or t.{{ column }} in (select value from {{ values }})
{%- endfor %}
{%- for column in list_columns %}
    -- the list's elements joined by hash: list_has_any against the list of every value cost
    -- seconds per table (a first sweep of 400 persons at 100k: 100 s of deletes)
    or t.rowid in (
        select held.rowid
        from {{ relation }} as held, unnest(held.{{ column }}) as element (value)
        where element.value in (select value from {{ values }})
    )
{%- endfor %}
{%- if returning %}
returning customer_id
{%- endif %}
