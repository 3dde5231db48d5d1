-- A context row of the release's file by its rowid (bound); `schema` is "release" (code).
select customer_id, context, context_text
from {{ schema }}.customer_context
where rowid = ?
