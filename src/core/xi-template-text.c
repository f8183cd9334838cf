/* placeholder */
typedef int xi_template_text_placeholder;
