export * from './items.service';
export * from './nbformat';
export * from './notebooks.module';
export * from './item.view';
export * from './dto/item-responses.dto';
