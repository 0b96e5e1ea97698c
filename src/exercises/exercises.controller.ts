import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ExerciseDetail, ExercisesService, ExerciseSummary } from './exercises.service';
import { ExerciseSlugPipe } from '../common/safe-text';

/** Read access to the exercise catalogue for every authenticated user. */
@ApiTags('exercises')
@ApiBearerAuth()
@Controller('api/exercises')
export class ExercisesController {
  constructor(private readonly exercises: ExercisesService) {}

  @Get()
  @ApiOperation({ summary: 'List published exercises' })
  list(): Promise<ExerciseSummary[]> {
    return this.exercises.list();
  }

  @Get(':slug')
  @ApiOperation({ summary: 'One exercise: instructions and max points' })
  get(@Param('slug', ExerciseSlugPipe) slug: string): Promise<ExerciseDetail> {
    return this.exercises.get(slug);
  }
}
