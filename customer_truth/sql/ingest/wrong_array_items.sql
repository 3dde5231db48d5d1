-- items of one documented array ($path, e.g. `line_items[*].quantity`) of a type outside $types
update _checked
set reason = 'wrong type: items of `' || $name || '` are not '
    || array_to_string($types, ' or ')
where
    reason is null
    and len(list_filter(
        json_type(doc, $path),
        lambda t: t <> 'NULL' and not list_contains($types, t)
    )) > 0
