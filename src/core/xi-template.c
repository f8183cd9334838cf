/* placeholder */
typedef int xi_template_placeholder;
