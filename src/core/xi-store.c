/* placeholder */
typedef int xi_store_placeholder;
