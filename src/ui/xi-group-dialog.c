/* placeholder */
typedef int xi_group_dialog_placeholder;
