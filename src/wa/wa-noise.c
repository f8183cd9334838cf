/* placeholder */
typedef int wa_noise_placeholder;
