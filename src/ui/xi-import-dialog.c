/* placeholder */
typedef int xi_import_dialog_placeholder;
