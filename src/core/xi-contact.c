/* placeholder */
typedef int xi_contact_placeholder;
