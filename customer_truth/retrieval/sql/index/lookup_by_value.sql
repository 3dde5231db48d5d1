create index lookup__value on lookup (identifier_value)
