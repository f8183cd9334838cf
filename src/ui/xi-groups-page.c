/* placeholder */
typedef int xi_groups_page_placeholder;
