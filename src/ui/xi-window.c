/* placeholder */
typedef int xi_window_placeholder;
