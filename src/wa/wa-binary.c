/* placeholder */
typedef int wa_binary_placeholder;
