/* placeholder */
typedef int wa_node_placeholder;
