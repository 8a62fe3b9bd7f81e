// A Python enum of sentence-transformers (SiameseDistanceMetric, TripletDistanceMetric) as a const object
// { MEMBER: value }. An argument may name a member by its value ("cosine_distance"), its name
// ("COSINE_DISTANCE") or Python's qualified name ("SiameseDistanceMetric.COSINE_DISTANCE"); a loss's
// config names it by the qualified name, as get_config_dict() does.

import { ArgumentError } from "../errors.ts";

export function pythonEnumValue<Members extends Record<string, string>>(enumName: string, members: Members, given: unknown, where: string): Members[keyof Members] {
  const entries = Object.entries(members);
  const found = entries.find(([member, value]) => given === value || given === member || given === `${enumName}.${member}`);
  if (!found) throw new ArgumentError(where, `${JSON.stringify(given)} is not a ${enumName} (use ${entries.map(([member]) => member).join(", ")})`);
  return found[1] as Members[keyof Members];
}

/** "SiameseDistanceMetric.COSINE_DISTANCE" for "cosine_distance". */
export function pythonEnumQualifiedName(enumName: string, members: Record<string, string>, value: string): string {
  const member = Object.entries(members).find(([, memberValue]) => memberValue === value);
  if (!member) throw new Error(`${JSON.stringify(value)} is not a ${enumName} value`);
  return `${enumName}.${member[0]}`;
}
