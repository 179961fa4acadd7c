export const route = "ÿ";
