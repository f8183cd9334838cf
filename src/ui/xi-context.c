/* placeholder */
typedef int xi_context_placeholder;
