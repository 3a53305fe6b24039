import { rpcErrors } from '../deribit-errors.js';
import type { RpcParams } from '../json-rpc-envelope.js';

/** Typed reads of named params; each failure is Deribit's -32602 naming the param. */
export function requiredString(params: RpcParams, name: string): string {
  const value = params[name];
  if (value === undefined) throw rpcErrors.invalidParams(name, 'required');
  if (typeof value !== 'string') throw rpcErrors.invalidParams(name, 'must be a string');
  return value;
}

export function optionalString(params: RpcParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw rpcErrors.invalidParams(name, 'must be a string');
  return value;
}

export function requiredNumber(params: RpcParams, name: string): number {
  const value = params[name];
  if (value === undefined) throw rpcErrors.invalidParams(name, 'required');
  if (typeof value !== 'number' || !Number.isFinite(value)) throw rpcErrors.invalidParams(name, 'must be a number');
  return value;
}

export function optionalEnum<T extends string>(params: RpcParams, name: string, allowed: readonly T[]): T | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw rpcErrors.invalidParams(name, `must be one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requiredEnum<T extends string>(params: RpcParams, name: string, allowed: readonly T[]): T {
  const value = optionalEnum(params, name, allowed);
  if (value === undefined) throw rpcErrors.invalidParams(name, 'required');
  return value;
}

export function requiredStringArray(params: RpcParams, name: string): string[] {
  const value = params[name];
  if (value === undefined) throw rpcErrors.invalidParams(name, 'required');
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw rpcErrors.invalidParams(name, 'must be an array of strings');
  }
  return value;
}
