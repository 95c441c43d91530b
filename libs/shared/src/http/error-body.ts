/** The error body of every failed request (api.md). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code: string;
  requestId: string;
  details?: Record<string, unknown>;
}
