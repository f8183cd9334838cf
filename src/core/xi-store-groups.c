/* placeholder */
typedef int xi_store_groups_placeholder;
