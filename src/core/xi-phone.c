/* placeholder */
typedef int xi_phone_placeholder;
