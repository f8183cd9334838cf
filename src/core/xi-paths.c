/* placeholder */
typedef int xi_paths_placeholder;
