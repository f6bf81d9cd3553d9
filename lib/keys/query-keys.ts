// react-query keys of the API-key domain; a mutation invalidates exactly the keys it changed.
export const keyKeys = {
  all: ["keys"] as const,
  list: () => [...keyKeys.all, "list"] as const,
  formOptions: () => [...keyKeys.all, "form-options"] as const,
};
