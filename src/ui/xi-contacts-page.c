/* placeholder */
typedef int xi_contacts_page_placeholder;
