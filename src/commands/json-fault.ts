// Where a text that JSON.parse refused goes wrong, for a message that names
// the line and column. JSON.parse alone decides that the text is not JSON;
// its message does not always say where (Node 20: "Unexpected end of JSON
// input", "Unexpected token 'N', ... is not valid JSON"). jsonc-parser (the
// JSON parser of VS Code), with comments and trailing commas refused, finds
// the token at fault in every such text, and JSON.parse's own position, when
// its message gives one, lies inside that token: that position is given then
// (the bad escape inside its string, the second digit of 01), else the
// token's start. jsonc-parser's parser recurses once per level of nesting;
// a text too deep for the stack is located by JSON.parse's position alone.
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

type Code = Exclude<ReturnType<typeof printParseErrorCode>, '<unknown ParseErrorCode>'>;

const WHAT: Record<Code, string> = {
  InvalidSymbol: 'JSON has no such value or sign here',
  InvalidNumberFormat: 'the number is not written as JSON writes numbers',
  PropertyNameExpected: 'a property name in double quotes is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a ":" is expected after the property name',
  CommaExpected: 'a "," is expected',
  CloseBraceExpected: 'a "}" is expected',
  CloseBracketExpected: 'a "]" is expected',
  EndOfFileExpected: 'the text goes on after the JSON value',
  InvalidCommentToken: 'JSON has no comments',
  UnexpectedEndOfComment: 'JSON has no comments',
  UnexpectedEndOfString: 'the string is not closed',
  UnexpectedEndOfNumber: 'the number ends too early',
  InvalidUnicode: 'a \\u escape takes four hexadecimal digits',
  InvalidEscapeCharacter: 'JSON has no such escape',
  InvalidCharacter: 'a control character in a string must be written as an escape',
};

/** Where JSON.parse's refusal is, as an offset into the text, and what is wrong there. */
export interface JsonFault {
  offset: number;
  what: string;
}

/** JSON.parse's position in its message ("in JSON at position 7", Node 20 and later), if it gives one. */
export function parsePosition(error: unknown): number | undefined {
  const match = error instanceof SyntaxError ? /\bin JSON at position (\d+)/.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

/** The first fault jsonc-parser finds in `text`; undefined when it finds none or the nesting is too deep for its stack. */
function firstFault(text: string): ParseError | undefined {
  const errors: ParseError[] = [];
  try {
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
  return errors[0];
}

/** The fault gen names in `text` (its byte order mark removed), which JSON.parse refused with `error`. */
export function jsonFault(text: string, error: unknown): JsonFault | undefined {
  const position = parsePosition(error);
  const fault = firstFault(text);
  if (fault === undefined) return position === undefined ? undefined : { offset: position, what: 'JSON.parse stops here' };
  const code = printParseErrorCode(fault.error);
  const what = code in WHAT ? WHAT[code as Code] : 'JSON.parse stops here';
  const inToken = position !== undefined && position >= fault.offset && position <= fault.offset + fault.length;
  return { offset: inToken ? position : fault.offset, what };
}
