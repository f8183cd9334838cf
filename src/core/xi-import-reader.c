/* placeholder */
typedef int xi_import_reader_placeholder;
