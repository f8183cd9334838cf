/* placeholder */
typedef int xi_log_placeholder;
