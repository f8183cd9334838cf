/* placeholder */
typedef int xi_store_contacts_placeholder;
