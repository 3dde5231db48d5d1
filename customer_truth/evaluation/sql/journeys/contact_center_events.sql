-- contact-center events of known persons
create or replace temp view contact_center_events as
select * from scored_events
where system = 'contact_center' and person_id in (select person_id from known_persons)
