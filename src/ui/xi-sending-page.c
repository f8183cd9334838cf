/* placeholder */
typedef int xi_sending_page_placeholder;
