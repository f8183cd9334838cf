/* placeholder */
typedef int xi_template_editor_placeholder;
