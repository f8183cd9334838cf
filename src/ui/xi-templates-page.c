/* placeholder */
typedef int xi_templates_page_placeholder;
