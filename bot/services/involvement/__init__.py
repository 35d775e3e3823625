"""The involvement record: role cards (`role_cards`), fair choosing (`choosing`), attendance
and hours (`attendance`), money owed and paid (`payments`), expense claims (`claims`) and the
payment rules from config (`settings`)."""
