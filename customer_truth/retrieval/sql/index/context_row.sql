-- Where the bound customer's context is: a rowid in the file, or a position in the arrow table.
select context_row from rows where customer_id = ?
