-- the truth's persons
create or replace temp table _persons as
select * from read_json($persons, format = 'newline_delimited', union_by_name = true)
