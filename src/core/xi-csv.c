/* placeholder */
typedef int xi_csv_placeholder;
