/* placeholder */
typedef int wa_cert_placeholder;
