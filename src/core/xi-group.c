/* placeholder */
typedef int xi_group_placeholder;
