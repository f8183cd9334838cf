/* placeholder */
typedef int xi_preferences_window_placeholder;
