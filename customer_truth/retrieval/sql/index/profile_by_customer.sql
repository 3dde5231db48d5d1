create index customer_profile__customer on customer_profile (customer_id)
