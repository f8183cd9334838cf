/* placeholder */
typedef int xi_vcard_placeholder;
