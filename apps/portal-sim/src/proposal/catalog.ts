// The vehicle catalogue behind the make → model dropdowns, with each model's base premium.
export interface VehicleModel {
  name: string;
  basePremium: number;
}

export const CATALOG: Readonly<Record<string, readonly VehicleModel[]>> = {
  Toyota: [
    { name: 'Corolla', basePremium: 520 },
    { name: 'Camry', basePremium: 640 },
    { name: 'Hilux', basePremium: 710 },
  ],
  Honda: [
    { name: 'Civic', basePremium: 530 },
    { name: 'Accord', basePremium: 650 },
    { name: 'CR-V', basePremium: 690 },
  ],
  Ford: [
    { name: 'Fiesta', basePremium: 450 },
    { name: 'Focus', basePremium: 510 },
    { name: 'Ranger', basePremium: 740 },
  ],
  Suzuki: [
    { name: 'Swift', basePremium: 410 },
    { name: 'Alto', basePremium: 360 },
    { name: 'Vitara', basePremium: 580 },
  ],
};

export const MAKES = Object.keys(CATALOG);

export function modelsOf(make: string): readonly VehicleModel[] {
  return Object.hasOwn(CATALOG, make) ? CATALOG[make] : [];
}

export function findModel(make: string, model: string): VehicleModel | undefined {
  return modelsOf(make).find((m) => m.name === model);
}
