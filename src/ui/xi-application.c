/* placeholder */
typedef int xi_application_placeholder;
