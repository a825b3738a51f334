/** asl-validator 4 ships no types: its CommonJS export is one function. */
declare module 'asl-validator' {
  export interface AslValidationError {
    'Error code': string;
    Message: string;
    path?: string;
  }
  export interface AslValidatorOptions {
    checkPaths?: boolean;
    checkArn?: boolean;
  }
  function aslValidator(
    definition: unknown,
    options?: AslValidatorOptions,
  ): { isValid: boolean; errors: AslValidationError[]; errorsText: (separator?: string) => string };
  export default aslValidator;
}
