/* placeholder */
typedef int xi_history_page_placeholder;
