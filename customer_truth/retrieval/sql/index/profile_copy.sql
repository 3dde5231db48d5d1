-- The Delta path's profile (registered as an arrow table), copied into memory under a
-- temporary name: the registered table takes the name until it is unregistered.
create table customer_profile__copy as select * from customer_profile
