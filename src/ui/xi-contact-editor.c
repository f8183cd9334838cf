/* placeholder */
typedef int xi_contact_editor_placeholder;
