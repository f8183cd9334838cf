/* placeholder */
typedef int xi_store_templates_placeholder;
